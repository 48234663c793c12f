// Local background correction of a time series with a maximum projection.
// background = maximum over time; foreground = each frame - background (32-bit).
// Arguments (optional): input=/path/to/series.tif
args = getArgument();
path = call("ij.Macro.getValue", args, "input", "");
if (path != "") open(path);
if (nImages == 0) exit("No input image: open one or pass input=/path/to/series.tif");
rename("input");
run("Z Project...", "projection=[Max Intensity]");
rename("background");
imageCalculator("Subtract create 32-bit stack", "input", "background");
rename("foreground");
