// a yes/no question: nobody answers it
print("ask");
ok = getBoolean("Subtract the background?");
print(ok);
