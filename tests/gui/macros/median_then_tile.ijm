// filter, then arrange the windows: the pixels are read once ImageJ is idle
run("Duplicate...", "title=med");
run("Median...", "radius=6");
run("Duplicate...", "title=med2");
run("Median...", "radius=3");
run("Tile");
