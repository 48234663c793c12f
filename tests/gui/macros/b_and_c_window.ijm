// open Brightness/Contrast while the macro works: the window stays, the macro goes on
run("Brightness/Contrast...");
setMinAndMax(20, 120);
run("Apply LUT");
getStatistics(area, mean);
print(mean);
