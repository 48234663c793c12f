// two regions in the ROI Manager, measured together
run("Set Measurements...", "area mean min display redirect=None decimal=3");
makeRectangle(10, 10, 60, 40);
roiManager("add");
makeOval(120, 100, 80, 80);
roiManager("add");
print("rois: " + roiManager("count"));
roiManager("measure");
for (row = 0; row < nResults; row++)
    print(getResultLabel(row) + " mean=" + getResult("Mean", row));
