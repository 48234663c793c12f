// a small function used twice
function backgroundOf(title, radius) {
    selectWindow(title);
    run("Duplicate...", "title=bg_" + radius);
    run("Minimum...", "radius=" + radius);
    run("Maximum...", "radius=" + radius);
    getStatistics(area, mean);
    return mean;
}

input = getTitle();
m5 = backgroundOf(input, 5);
m15 = backgroundOf(input, 15);
print("radius 5: " + m5);
print("radius 15: " + m15);
