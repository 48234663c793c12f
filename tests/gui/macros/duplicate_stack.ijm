// copy the whole time series, not just the current frame
print("frames: " + nSlices);
run("Duplicate...", "duplicate");
print("copy: " + getTitle() + " with " + nSlices + " slices");
run("Subtract...", "value=20 stack");
setSlice(2);
run("Duplicate...", "title=one");
print("single: " + nSlices);
