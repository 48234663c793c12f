// Local background correction with ImageJ's rolling ball.
// background = Subtract Background's created background; foreground = its subtraction.
// Arguments (optional): rolling=50 light input=/path/to/image.tif
args = getArgument();
rolling = parseFloat(call("ij.Macro.getValue", args, "rolling", "50"));
light = "";
if (indexOf(" " + args + " ", " light ") >= 0) light = " light";
path = call("ij.Macro.getValue", args, "input", "");
if (path != "") open(path);
if (nImages == 0) exit("No input image: open one or pass input=/path/to/image.tif");
rename("input");
stackOption = "";
if (nSlices > 1) stackOption = " stack";
run("Duplicate...", "title=background duplicate");
run("Subtract Background...", "rolling=" + rolling + light + " create" + stackOption);
selectImage("input");
run("Duplicate...", "title=foreground duplicate");
run("Subtract Background...", "rolling=" + rolling + light + stackOption);
