// Local background correction with a morphological opening (top-hat).
// background = opening (Minimum, then Maximum, radius pixels); foreground = input - background (32-bit).
// Arguments (optional): radius=15 input=/path/to/image.tif
args = getArgument();
radius = parseFloat(call("ij.Macro.getValue", args, "radius", "15"));
path = call("ij.Macro.getValue", args, "input", "");
if (path != "") open(path);
if (nImages == 0) exit("No input image: open one or pass input=/path/to/image.tif");
rename("input");
stackOption = "";
if (nSlices > 1) stackOption = " stack";
run("Duplicate...", "title=background duplicate");
run("Minimum...", "radius=" + radius + stackOption);
run("Maximum...", "radius=" + radius + stackOption);
imageCalculator("Subtract create 32-bit" + stackOption, "input", "background");
rename("foreground");
