// count the spots: threshold, mask, Analyze Particles with results and summary
run("Set Measurements...", "area mean centroid display redirect=None decimal=3");
run("Duplicate...", "title=mask");
setAutoThreshold("Triangle dark");
run("Convert to Mask");
run("Analyze Particles...", "size=5-Infinity display clear summarize");
print("particles: " + nResults);
