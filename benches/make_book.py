#!/usr/bin/env python3
"""Write a holdings book of N rows (default 1,000) for the end-to-end benchmark.

Rows cycle through the sample workbook's securities and a set of listed and SDN names, in
several notations, across accounts. Deterministic: the same N gives the same file.
usage: make_book.py OUT.csv [N]
"""
import csv, sys

SECURITIES = [
    ("APPLE INC", "US0378331005", "AAPL US Equity"), ("MICROSOFT CORP", "US5949181045", "MSFT US Equity"),
    ("TENCENT HOLDINGS LTD", "KYG875721634", "700 HK Equity"), ("ALIBABA GROUP HOLDING LTD", "KYG017191142", "9988 HK Equity"),
    ("TAIWAN SEMICONDUCTOR MANUFAC", "TW0002330008", "2330 TT Equity"), ("SAMSUNG ELECTRONICS CO LTD", "KR7005930003", "005930 KS Equity"),
    ("NESTLE SA-REG", "CH0038863350", "NESN SW Equity"), ("HSBC HOLDINGS PLC", "GB0005405286", "HSBA LN Equity"),
    ("CHINA CONSTRUCTION BANK-H", "CNE1000002H1", "939 HK Equity"), ("PING AN INSURANCE GROUP CO-H", "CNE1000003X6", "2318 HK Equity"),
    ("KWEICHOW MOUTAI CO LTD-A", "CNE0000018R8", "600519 CH Equity"), ("TOYOTA MOTOR CORP", "JP3633400001", "7203 JP Equity"),
    ("CHINA MOBILE LTD", "HK0941009539", "941 HK Equity"), ("China Telecom Corp Ltd-H", "CNE1000002V2", "728 HK Equity"),
    ("HANGZHOU HIKVISION DIGITAL-A", "", "002415.SZ"), ("Megvii Technology Ltd", "", ""),
    ("Sberbank of Russia PJSC", "RU0009029540", "SBER RX"), ("VTB Bank PJSC", "RU000A0JP5V6", "VTBR RX"),
    ("OFFSHORE OIL ENGINEERING-A", "", "600583 CH Equity"), ("CHINA RAILWAY GROUP LTD-H", "CNE1000007Z2", "390 HK Equity"),
]

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Account", "Security Name", "ISIN", "Ticker", "Quantity", "Market Value", "Currency"])
        for i in range(n):
            name, isin, ticker = SECURITIES[i % len(SECURITIES)]
            # Vary the spelling a little so names are not all cache hits.
            if i % 3 == 1:
                name = name.title()
            w.writerow([f"ACC-{i % 17:02d}", name, isin, ticker, 100 + i % 900, f"{(i * 7919) % 1000000:.2f}", "USD"])

main()
