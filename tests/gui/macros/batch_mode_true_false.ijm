// batch mode on and off: only the active image is shown at the end
setBatchMode(true);
newImage("hidden1", "8-bit ramp", 64, 64, 1);
newImage("hidden2", "8-bit black", 64, 64, 1);
run("Add...", "value=50");
setBatchMode(false);
print(nImages + " images, active: " + getTitle());
