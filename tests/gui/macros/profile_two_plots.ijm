// Line profile across a spot, before and after a median filter.
// The second plot reuses the line: Restore Selection on another window.
orig = getTitle();
makeLine(20, 130, 230, 130);
run("Plot Profile");
selectWindow(orig);
run("Duplicate...", "title=smoothed");
run("Median...", "radius=4");
selectWindow("smoothed");
run("Restore Selection");
run("Plot Profile");
