def main():
    text = ""
    for i in range(100000):
        text += f"{i},"
    print(len(text))
main()
