// maximum and average projections of the series
stack = getTitle();
run("Z Project...", "projection=[Max Intensity]");
selectWindow(stack);
run("Z Project...", "projection=[Average Intensity]");
print(nImages + " images");
