// written in a hurry: some lines end without ;
a = 5
b = a * 2
print("b is " + b)
run("Duplicate...", "title=dup")
run("Add...", "value=" + b)
getStatistics(area, mean)
print("mean " + mean)
