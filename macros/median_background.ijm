// Local background correction with a median filter.
// background = median filter of the input; foreground = input - background (32-bit).
// Arguments (optional, as "key=value" words): radius=15 input=/path/to/image.tif
// In Fiji: open an image and run this macro, or pass input= with runMacro().
args = getArgument();
radius = parseFloat(call("ij.Macro.getValue", args, "radius", "15"));
path = call("ij.Macro.getValue", args, "input", "");
if (path != "") open(path);
if (nImages == 0) exit("No input image: open one or pass input=/path/to/image.tif");
rename("input");
stackOption = "";
if (nSlices > 1) stackOption = " stack";
run("Duplicate...", "title=background duplicate");
run("Median...", "radius=" + radius + stackOption);
imageCalculator("Subtract create 32-bit" + stackOption, "input", "background");
rename("foreground");
