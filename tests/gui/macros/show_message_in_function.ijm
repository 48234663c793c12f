// messages from inside a function
function report(what, value) {
    showMessage("Report", what + ": " + value);
    print(what + " reported");
}

getStatistics(area, mean, min, max);
report("mean", d2s(mean, 3));
report("range", "" + min + "-" + max);
x = 1; showMessage("one more"); print("x = " + x);
