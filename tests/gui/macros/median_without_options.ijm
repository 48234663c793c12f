// the command's dialog opens: nobody fills it in
print("before the dialog");
run("Duplicate...", "title=work");
run("Median...");
print("after");
