// work hidden in batch mode, then show every image made
setBatchMode(true);
orig = getTitle();
run("Duplicate...", "title=bg");
run("Minimum...", "radius=10");
run("Maximum...", "radius=10");
imageCalculator("Subtract create", orig, "bg");
rename("tophat");
print("images in batch mode: " + nImages);
setBatchMode("exit and display");
print("images after: " + nImages);
