// the Threshold window open beside the image while thresholding
run("Duplicate...", "title=mask");
run("Threshold...");
setAutoThreshold("Default dark");
run("Convert to Mask");
print("done");
