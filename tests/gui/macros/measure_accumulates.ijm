// several Measure calls fill the Results table row by row
run("Set Measurements...", "area mean standard min display redirect=None decimal=3");
makeRectangle(0, 0, 50, 50);
run("Measure");
makeRectangle(100, 100, 50, 50);
run("Measure");
run("Select None");
run("Measure");
print(nResults + " rows; last mean " + getResult("Mean", nResults - 1));
