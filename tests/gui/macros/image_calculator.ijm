// subtract a smoothed background with the image calculator
orig = getTitle();
run("Duplicate...", "title=background");
run("Gaussian Blur...", "sigma=20");
imageCalculator("Subtract create 32-bit", orig, "background");
rename("corrected");
getStatistics(area, mean);
print("corrected: " + mean);
imageCalculator("Average", orig, "background");
selectWindow(orig);
getStatistics(area, mean);
print("average in " + orig + ": " + mean);
