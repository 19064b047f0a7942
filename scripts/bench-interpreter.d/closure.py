def make_adder(k):
    return lambda x: x + k
def main():
    add = make_adder(3)
    total = 0
    for i in range(100000):
        total = add(total)
    print(total)
main()
