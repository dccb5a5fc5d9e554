#!/usr/bin/env python3
"""Reference values of the API's indicators, computed with pandas/numpy (a test oracle).

Usage: indicators_oracle.py < series.json
  series.json: {"close": [...], "high": [...], "low": [...], "volume": [number|null, ...],
                "bars_per_year": N, "indicators": ["sma:20", "ema:12", "bollinger:20:2",
                "rsi:14", "vwap", "volatility:30", ...]}
Prints {key: {line: [number|null, ...]}} with the definitions documented in
Sources/Server/Indicators/Indicator.swift, written here the way a pandas user writes them.
"""
import json
import math
import sys

import numpy as np
import pandas as pd


def clean(series):
    return [None if (v is None or (isinstance(v, float) and not math.isfinite(v))) else float(v) for v in series]


def main():
    spec = json.load(sys.stdin)
    close = pd.Series(spec["close"], dtype="float64")
    high = pd.Series(spec["high"], dtype="float64")
    low = pd.Series(spec["low"], dtype="float64")
    volume = pd.Series([np.nan if v is None else v for v in spec["volume"]], dtype="float64")
    out = {}
    for key in spec["indicators"]:
        parts = key.split(":")
        name = parts[0]
        if name == "sma":
            out[key] = {"value": clean(close.rolling(int(parts[1])).mean())}
        elif name == "ema":
            out[key] = {"value": clean(close.ewm(span=int(parts[1]), adjust=False).mean())}
        elif name == "bollinger":
            n, k = int(parts[1]), float(parts[2])
            mid = close.rolling(n).mean()
            sd = close.rolling(n).std(ddof=0)
            out[key] = {"upper": clean(mid + k * sd), "middle": clean(mid), "lower": clean(mid - k * sd)}
        elif name == "rsi":
            n = int(parts[1])
            delta = close.diff()
            gain = delta.clip(lower=0).ewm(alpha=1 / n, adjust=False, min_periods=n).mean()
            loss = (-delta).clip(lower=0).ewm(alpha=1 / n, adjust=False, min_periods=n).mean()
            with np.errstate(divide="ignore", invalid="ignore"):
                rsi = 100 - 100 / (1 + gain / loss)
            out[key] = {"value": clean(rsi)}
        elif name == "vwap":
            typical = (high + low + close) / 3
            with np.errstate(divide="ignore", invalid="ignore"):
                vwap = (typical * volume).fillna(0).cumsum() / volume.fillna(0).cumsum()
            out[key] = {"value": clean(vwap)}
        elif name == "volatility":
            n = int(parts[1])
            returns = np.log(close).diff()
            out[key] = {"value": clean(returns.rolling(n).std(ddof=1) * math.sqrt(spec["bars_per_year"]))}
        else:
            raise SystemExit(f"unknown indicator {key}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
