// a message the user clicks away; the macro carries on
run("Duplicate...", "title=copy");
showMessage("Info", "About to invert the copy");
run("Invert");
getStatistics(area, mean);
showMessage("mean after invert: " + d2s(mean, 2));
print("finished");
