# Inside a function: CPython's fastest variables (locals), to be fair to it.
def main():
    total = 0
    for i in range(1000000):
        total = total + i
    print(total)
main()
