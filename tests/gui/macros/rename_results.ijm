// keep the first measurements in a table of their own
run("Set Measurements...", "area mean display redirect=None decimal=3");
makeRectangle(0, 0, 20, 20);
run("Measure");
IJ.renameResults("Results", "First");
makeRectangle(50, 50, 20, 20);
run("Measure");
print(nResults + " rows in Results");
selectWindow("First");
print(Table.size + " rows in First");
