// a long message, the call split over two lines
getStatistics(area, mean);
showMessage("Background check",
    "The mean of " + getTitle() + " is " + d2s(mean, 1));
print("mean " + mean);
