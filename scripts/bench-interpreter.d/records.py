def main():
    rows = []
    for i in range(100000):
        rows.append({"epoch": i, "acc": i * 0.5})
    best = 0.0
    for r in rows:
        if r["acc"] > best:
            best = r["acc"]
    print(len(rows), best)
main()
