"""The Chongqing (市级) layout against the published 重庆市气象局 2026 document, figure by figure.

The sample `data/chongqing-qxj-2026.yaml` is built once; its workbook is read with openpyxl and
its PDF with `pdftotext -layout`. Every amount of the published tables 一 to 九 is listed
below (as printed, in 万元) with its table, row and column, and must be found in the same
table, row and column of the workbook, and on the same line of that table in the PDF. Where
the publication contradicts itself the figure its other tables give is used, and the reason
is stated next to it (the sample's YAML comments say the same).
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.publish.build import build
from conftest import DATA

SAMPLE = DATA / "chongqing-qxj-2026.yaml"

# table title → rows: (key, column the key is in, {column: printed figure}); columns count from 0.
TABLES: dict[str, list[tuple[str, int, dict[int, str]]]] = {
    "2026年部门收支总体情况表": [
        ("合计", 0, {1: "14,770.62", 3: "14,770.62"}),
        ("一、一般公共预算资金", 0, {1: "12,672.73"}),
        ("二、政府性基金预算资金", 0, {1: "579.89"}),
        ("五、事业收入资金", 0, {1: "388.00"}),
        ("九、其他收入资金", 0, {1: "1,130.00"}),
        ("一、社会保障和就业支出", 2, {3: "120.17"}),
        ("二、卫生健康支出", 2, {3: "40.68"}),
        ("三、农林水支出", 2, {3: "579.89"}),
        ("四、自然资源海洋气象等支出", 2, {3: "13,873.36"}),
        # published 56.53: its parts 39.70 + 16.82 make 56.52 (the data follows the parts)
        ("五、住房保障支出", 2, {3: "56.52"}),
        ("六、灾害防治及应急管理支出", 2, {3: "100.00"}),
    ],
    "2026年部门收入总体情况表": [
        ("合计", 0, {2: "14,770.62", 3: "12,672.73", 4: "579.89", 7: "388.00", 11: "1,130.00"}),
        ("208", 0, {2: "120.17", 3: "82.51", 7: "37.66"}),
        ("20805", 0, {2: "120.17", 3: "82.51", 7: "37.66"}),
        ("2080505", 0, {2: "71.12", 3: "46.01", 7: "25.11"}),
        ("2080506", 0, {2: "35.56", 3: "23.01", 7: "12.55"}),
        ("2080599", 0, {2: "13.49", 3: "13.49"}),
        ("210", 0, {2: "40.68", 3: "31.68", 7: "9.00"}),
        ("2101101", 0, {2: "27.32", 3: "27.32"}),
        ("2101102", 0, {2: "9.00", 7: "9.00"}),
        ("2101199", 0, {2: "4.36", 3: "4.36"}),
        ("213", 0, {2: "579.89", 4: "579.89"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
        ("220", 0, {2: "13,873.36", 3: "12,418.84", 7: "324.52", 11: "1,130.00"}),
        ("22005", 0, {2: "13,873.36", 3: "12,418.84", 7: "324.52", 11: "1,130.00"}),
        ("2200501", 0, {2: "5,389.50", 3: "5,359.50", 11: "30.00"}),
        ("2200504", 0, {2: "777.52", 3: "478.00", 7: "299.52"}),
        ("2200506", 0, {2: "800.00", 3: "800.00"}),
        ("2200508", 0, {2: "213.00", 3: "213.00"}),
        ("2200509", 0, {2: "2,715.59", 3: "1,590.59", 7: "25.00", 11: "1,100.00"}),
        ("2200511", 0, {2: "3,977.75", 3: "3,977.75"}),
        ("221", 0, {2: "56.52", 3: "39.70", 7: "16.82"}),  # published 56.53, see above
        ("2210201", 0, {2: "56.52", 3: "39.70", 7: "16.82"}),
        ("224", 0, {2: "100.00", 3: "100.00"}),
        ("2240108", 0, {2: "100.00", 3: "100.00"}),
    ],
    "2026年部门支出总体情况表": [
        # published 5,838.39 / 8,932.23 (the sum of its own classes is 5,838.40 with 56.53)
        ("合计", 0, {2: "14,770.62", 3: "5,838.39", 4: "8,932.23"}),
        ("208", 0, {2: "120.17", 3: "120.17"}),
        ("2080505", 0, {2: "71.12", 3: "71.12"}),
        ("2080506", 0, {2: "35.56", 3: "35.56"}),
        ("2080599", 0, {2: "13.49", 3: "13.49"}),
        ("210", 0, {2: "40.68", 3: "40.68"}),
        ("2101101", 0, {2: "27.32", 3: "27.32"}),
        ("2101102", 0, {2: "9.00", 3: "9.00"}),
        ("2101199", 0, {2: "4.36", 3: "4.36"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
        ("220", 0, {2: "13,873.36", 3: "5,621.02", 4: "8,252.34"}),
        ("2200501", 0, {2: "5,389.50", 3: "5,321.50", 4: "68.00"}),
        ("2200504", 0, {2: "777.52", 3: "299.52", 4: "478.00"}),
        ("2200506", 0, {2: "800.00", 4: "800.00"}),
        ("2200508", 0, {2: "213.00", 4: "213.00"}),
        ("2200509", 0, {2: "2,715.59", 4: "2,715.59"}),
        ("2200511", 0, {2: "3,977.75", 4: "3,977.75"}),
        ("2210201", 0, {2: "56.52", 3: "56.52"}),  # published 56.53, see above
        ("2240108", 0, {2: "100.00", 4: "100.00"}),
    ],
    "2026年财政拨款收支总体情况表": [
        # the carry-over the other tables count in each fund is shown apart here
        ("一、本年收入", 0, {1: "12,572.73"}),
        ("（一）一般公共预算资金", 0, {1: "12,572.73"}),
        ("二、上年结转", 0, {1: "679.89"}),
        ("（一）一般公共预算拨款", 0, {1: "100.00"}),
        ("（二）政府性基金预算拨款", 0, {1: "579.89"}),
        ("一、本年支出", 2, {3: "13,252.62", 4: "12,672.73", 5: "579.89"}),
        ("（一）社会保障和就业支出", 2, {3: "82.51", 4: "82.51"}),
        ("（二）卫生健康支出", 2, {3: "31.68", 4: "31.68"}),
        ("（三）农林水支出", 2, {3: "579.89", 5: "579.89"}),
        ("（四）自然资源海洋气象等支出", 2, {3: "12,418.84", 4: "12,418.84"}),
        ("（五）住房保障支出", 2, {3: "39.70", 4: "39.70"}),
        ("（六）灾害防治及应急管理支出", 2, {3: "100.00", 4: "100.00"}),
        ("收入合计", 0, {1: "13,252.62", 3: "13,252.62", 4: "12,672.73", 5: "579.89"}),
    ],
    "2026年一般公共预算支出情况表": [
        ("合计", 0, {2: "12,672.73", 3: "5,445.39", 4: "5,308.05", 5: "137.34", 6: "7,227.34"}),
        ("208", 0, {2: "82.51", 3: "82.51", 4: "82.32", 5: "0.19"}),
        ("2080505", 0, {2: "46.01", 3: "46.01", 4: "46.01"}),
        ("2080506", 0, {2: "23.01", 3: "23.01", 4: "23.01"}),
        ("2080599", 0, {2: "13.49", 3: "13.49", 4: "13.30", 5: "0.19"}),
        ("210", 0, {2: "31.68", 3: "31.68", 4: "31.68"}),
        ("2101101", 0, {2: "27.32", 3: "27.32", 4: "27.32"}),
        ("2101199", 0, {2: "4.36", 3: "4.36", 4: "4.36"}),
        ("220", 0, {2: "12,418.84", 3: "5,291.50", 4: "5,154.35", 5: "137.15", 6: "7,127.34"}),
        ("2200501", 0, {2: "5,359.50", 3: "5,291.50", 4: "5,154.35", 5: "137.15", 6: "68.00"}),
        ("2200504", 0, {2: "478.00", 6: "478.00"}),
        ("2200509", 0, {2: "1,590.59", 6: "1,590.59"}),
        ("2200511", 0, {2: "3,977.75", 6: "3,977.75"}),
        ("2210201", 0, {2: "39.70", 3: "39.70", 4: "39.70"}),
        ("2240108", 0, {2: "100.00", 6: "100.00"}),
    ],
    "2026年一般公共预算基本支出情况表": [
        ("合计", 0, {2: "5,445.39", 3: "5,308.05", 4: "137.34"}),
        ("301", 0, {2: "5,293.75", 3: "5,293.75"}),
        ("30101", 0, {2: "110.24", 3: "110.24"}),
        ("30102", 0, {2: "4,890.66", 3: "4,890.66"}),
        ("3010201", 0, {2: "4,887.41", 3: "4,887.41"}),
        ("3010202", 0, {2: "3.25", 3: "3.25"}),
        ("30103", 0, {2: "147.75", 3: "147.75"}),
        ("3010301", 0, {2: "95.28", 3: "95.28"}),
        ("3010302", 0, {2: "43.28", 3: "43.28"}),
        ("3010303", 0, {2: "9.19", 3: "9.19"}),
        ("30108", 0, {2: "46.01", 3: "46.01"}),
        ("30109", 0, {2: "23.01", 3: "23.01"}),
        ("30110", 0, {2: "27.32", 3: "27.32"}),
        ("30112", 0, {2: "2.30", 3: "2.30"}),
        ("30113", 0, {2: "39.70", 3: "39.70"}),
        ("30114", 0, {2: "3.36", 3: "3.36"}),
        ("30199", 0, {2: "3.40", 3: "3.40"}),
        ("302", 0, {2: "137.34", 4: "137.34"}),
        ("30201", 0, {2: "33.14", 4: "33.14"}),
        ("30202", 0, {2: "0.50", 4: "0.50"}),
        ("30207", 0, {2: "7.35", 4: "7.35"}),
        ("30211", 0, {2: "13.47", 4: "13.47"}),
        ("30213", 0, {2: "0.50", 4: "0.50"}),
        ("30214", 0, {2: "0.95", 4: "0.95"}),
        ("30216", 0, {2: "2.88", 4: "2.88"}),
        ("30217", 0, {2: "0.30", 4: "0.30"}),
        ("30226", 0, {2: "2.30", 4: "2.30"}),
        ("30227", 0, {2: "9.60", 4: "9.60"}),
        ("30228", 0, {2: "31.61", 4: "31.61"}),
        ("30231", 0, {2: "13.55", 4: "13.55"}),
        ("30239", 0, {2: "19.19", 4: "19.19"}),
        ("30299", 0, {2: "2.00", 4: "2.00"}),
        ("303", 0, {2: "14.30", 3: "14.30"}),
        ("30305", 0, {2: "13.30", 3: "13.30"}),
        ("30307", 0, {2: "1.00", 3: "1.00"}),
    ],
    "2026年政府性基金预算支出情况表": [
        ("合计", 0, {2: "579.89", 4: "579.89"}),
        ("213", 0, {2: "579.89", 4: "579.89"}),
        ("21398", 0, {2: "579.89", 4: "579.89"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
    ],
    "2026年政府采购预算明细表": [
        ("合计", 0, {2: "947.00", 7: "47.00", 11: "900.00"}),
        ("A", 0, {2: "47.00", 7: "47.00"}),
        ("C", 0, {2: "900.00", 11: "900.00"}),
    ],
}
THREE_PUBLIC = ("2026年财政拨款“三公”经费支出情况表", {0: "13.85", 2: "13.55", 4: "13.55", 5: "0.30"})
ORDER = [*list(TABLES)[:7], THREE_PUBLIC[0], list(TABLES)[7], "2026年部门整体绩效目标表",
         "2026年市级重点专项资金绩效目标表（一级项目）", "2026年市级一般性项目绩效目标表（一级项目）"]


# --- 重庆市人民政府办公厅 (data/chongqing-bgt-2026.yaml) ------------------------------------
# The publication's 201 / 20103 print 15,958.96 (一般公共预算 15,146.48) where their 项 add up to
# 15,958.95 (15,146.47), its 208 / 20805 last-year 1,556.76 where theirs add up to 1,556.77, and its
# 表四 本年收入 17,552.65 where 收入合计 18,417.70 less 上年结转 865.06 is 17,552.64: the data
# follows the parts and the totals (its YAML says the same); those figures are marked "*".
BGT = DATA / "chongqing-bgt-2026.yaml"


def _rows(spec: dict[str, dict[int, str]], at: int = 0) -> list[tuple[str, int, dict[int, str]]]:
    return [(key, at, figures) for key, figures in spec.items()]


_P = {"2010301": "6,342.71", "2080501": "77.59", "2080505": "631.22", "2080506": "315.60",
      "2080599": "571.53", "2101101": "369.70", "2101102": "3.57", "2101199": "73.68", "2210201": "539.91"}
BGT_TABLES: dict[str, list[tuple[str, int, dict[int, str]]]] = {
    "2026年部门收支总体情况表": [
        ("合计", 0, {1: "19,230.18", 3: "19,230.18"}),
        ("一、一般公共预算资金", 0, {1: "18,417.70"}),
        ("五、事业收入资金", 0, {1: "812.48"}),
        ("一、一般公共服务支出", 2, {3: "15,958.95"}),  # * published 15,958.96
        ("二、教育支出", 2, {3: "15.26"}),
        ("三、社会保障和就业支出", 2, {3: "1,595.94"}),
        ("四、卫生健康支出", 2, {3: "446.95"}),
        ("五、资源勘探工业信息等支出", 2, {3: "673.17"}),
        ("六、住房保障支出", 2, {3: "539.91"}),
    ],
    "2026年部门收入总体情况表": _rows({
        "合计": {2: "19,230.18", 3: "18,417.70", 7: "812.48"},
        "201": {2: "15,958.95", 3: "15,146.47", 7: "812.48"},  # * 15,958.96 / 15,146.48
        "20103": {2: "15,958.95", 3: "15,146.47", 7: "812.48"},  # * likewise
        "2010302": {2: "8,220.69", 3: "8,220.69"},
        "2010350": {2: "80.18", 3: "77.70", 7: "2.48"},
        "2010399": {2: "1,315.37", 3: "505.37", 7: "810.00"},
        "205": {2: "15.26", 3: "15.26"}, "20508": {2: "15.26", 3: "15.26"}, "2050803": {2: "15.26", 3: "15.26"},
        "208": {2: "1,595.94", 3: "1,595.94"}, "20805": {2: "1,595.94", 3: "1,595.94"},
        "210": {2: "446.95", 3: "446.95"}, "21011": {2: "446.95", 3: "446.95"},
        "215": {2: "673.17", 3: "673.17"}, "21505": {2: "673.17", 3: "673.17"},
        "2150516": {2: "673.17", 3: "673.17"},
        "221": {2: "539.91", 3: "539.91"}, "22102": {2: "539.91", 3: "539.91"},
        **{k: {2: v, 3: v} for k, v in _P.items()},
    }),
    "2026年部门支出总体情况表": _rows({
        "合计": {2: "19,230.18", 3: "9,018.47", 4: "10,211.71"},
        "201": {2: "15,958.95", 3: "6,420.41", 4: "9,538.54"},  # * 15,958.96
        "20103": {2: "15,958.95", 3: "6,420.41", 4: "9,538.54"},  # * 15,958.96
        "2010302": {2: "8,220.69", 4: "8,220.69"},
        "2010350": {2: "80.18", 3: "77.70", 4: "2.48"},
        "2010399": {2: "1,315.37", 4: "1,315.37"},
        "205": {2: "15.26", 3: "15.26"}, "2050803": {2: "15.26", 3: "15.26"},
        "208": {2: "1,595.94", 3: "1,595.94"}, "210": {2: "446.95", 3: "446.95"},
        "215": {2: "673.17", 4: "673.17"}, "2150516": {2: "673.17", 4: "673.17"},
        "221": {2: "539.91", 3: "539.91"},
        **{k: {2: v, 3: v} for k, v in _P.items()},
    }),
    "2026年财政拨款收支总体情况表": [
        ("一、本年收入", 0, {1: "17,552.64"}),  # * published 17,552.65
        ("（一）一般公共预算资金", 0, {1: "17,552.64"}),  # * likewise
        ("二、上年结转", 0, {1: "865.06"}),
        ("（一）一般公共预算拨款", 0, {1: "865.06"}),
        ("一、本年支出", 2, {3: "18,417.70", 4: "18,417.70"}),
        ("（一）一般公共服务支出", 2, {3: "15,146.47", 4: "15,146.47"}),  # * 15,146.48
        ("（二）教育支出", 2, {3: "15.26", 4: "15.26"}),
        ("（三）社会保障和就业支出", 2, {3: "1,595.94", 4: "1,595.94"}),
        ("（四）卫生健康支出", 2, {3: "446.95", 4: "446.95"}),
        ("（五）资源勘探工业信息等支出", 2, {3: "673.17", 4: "673.17"}),
        ("（六）住房保障支出", 2, {3: "539.91", 4: "539.91"}),
        ("收入合计", 0, {1: "18,417.70", 3: "18,417.70", 4: "18,417.70"}),
    ],
    # 2 = 2025年预算数, then 总计, 小计, 人员经费, 公用经费, 项目支出
    "2026年一般公共预算支出情况表": _rows({
        "合计": {2: "15,635.80", 3: "18,417.70", 4: "9,018.47", 5: "7,180.92", 6: "1,837.55", 7: "9,399.23"},
        "201": {2: "12,679.50", 3: "15,146.47", 4: "6,420.41", 5: "4,609.73", 6: "1,810.68",
                7: "8,726.06"},  # * 15,146.48
        "2010301": {2: "6,077.49", 3: "6,342.71", 4: "6,342.71", 5: "4,542.97", 6: "1,799.74"},
        "2010302": {2: "6,027.47", 3: "8,220.69", 7: "8,220.69"},
        "2010350": {2: "70.89", 3: "77.70", 4: "77.70", 5: "66.76", 6: "10.94"},
        "2010399": {2: "503.65", 3: "505.37", 7: "505.37"},
        "205": {2: "15.16", 3: "15.26", 4: "15.26", 6: "15.26"},
        "2050803": {2: "15.16", 3: "15.26", 4: "15.26", 6: "15.26"},
        "208": {2: "1,556.77", 3: "1,595.94", 4: "1,595.94", 5: "1,584.33", 6: "11.61"},  # * 1,556.76
        "2080501": {2: "77.59", 3: "77.59", 4: "77.59", 5: "77.59"},
        "2080505": {2: "592.56", 3: "631.22", 4: "631.22", 5: "631.22"},
        "2080506": {2: "296.28", 3: "315.60", 4: "315.60", 5: "315.60"},
        "2080599": {2: "590.34", 3: "571.53", 4: "571.53", 5: "559.92", 6: "11.61"},
        "210": {2: "425.07", 3: "446.95", 4: "446.95", 5: "446.95"},
        "2101101": {2: "347.79", 3: "369.70", 4: "369.70", 5: "369.70"},
        "2101102": {2: "3.24", 3: "3.57", 4: "3.57", 5: "3.57"},
        "2101199": {2: "74.04", 3: "73.68", 4: "73.68", 5: "73.68"},
        "215": {2: "448.31", 3: "673.17", 7: "673.17"}, "2150516": {2: "448.31", 3: "673.17", 7: "673.17"},
        "221": {2: "510.99", 3: "539.91", 4: "539.91", 5: "539.91"},
        "2210201": {2: "510.99", 3: "539.91", 4: "539.91", 5: "539.91"},
    }),
    "2026年一般公共预算基本支出情况表": _rows({
        "合计": {2: "9,018.47", 3: "7,180.92", 4: "1,837.55"},
        **{k: {2: v, 3: v} for k, v in {
            "301": "6,509.41", "30101": "1,576.86", "30102": "959.49", "3010201": "904.48",
            "3010202": "55.01", "30103": "1,947.45", "3010301": "1,247.70", "3010302": "570.14",
            "3010303": "129.61", "30107": "43.30", "30108": "631.22", "30109": "315.60",
            "30110": "373.27", "30112": "31.81", "30113": "539.91", "30114": "39.68", "30199": "50.82",
            "303": "671.51", "30301": "100.46", "3030101": "31.53", "3030102": "20.10",
            "3030103": "25.96", "3030104": "22.87", "30305": "537.05", "30307": "34.00"}.items()},
        **{k: {2: v, 4: v} for k, v in {
            "302": "1,837.55", "30201": "55.70", "30202": "31.00", "30205": "15.00", "30206": "89.29",
            "30209": "75.35", "30211": "26.00", "30212": "184.49", "30215": "30.00", "30216": "102.48",
            "30217": "10.00", "30227": "94.34", "30228": "259.38", "30231": "200.00", "30239": "363.40",
            "30299": "301.12"}.items()},
    }),
    "2026年政府采购预算明细表": _rows({
        "合计": {2: "4,542.69", 3: "4,542.69"},
        "A": {2: "110.00", 3: "110.00"},
        "C": {2: "4,432.69", 3: "4,432.69"},
    }),
}
# 2025年预算数 then 2026年预算数: 合计, 因公出国（境）费, 小计, 购置费 (blank), 运行费, 公务接待费
BGT_THREE_PUBLIC = ("2026年财政拨款“三公”经费支出情况表", {
    0: "396.97", 1: "184.49", 2: "202.48", 3: "", 4: "202.48", 5: "10.00",
    6: "394.49", 7: "184.49", 8: "200.00", 9: "", 10: "200.00", 11: "10.00"})
BGT_ORDER = [*list(BGT_TABLES)[:6], "2026年政府性基金预算支出情况表", BGT_THREE_PUBLIC[0], list(BGT_TABLES)[6],
             "2026年部门整体绩效目标表", "2026年市级重点专项资金绩效目标表（一级项目）",
             "2026年市级一般性项目绩效目标表（一级项目）"]

CASES = {"qxj": (SAMPLE, TABLES, THREE_PUBLIC, ORDER), "bgt": (BGT, BGT_TABLES, BGT_THREE_PUBLIC, BGT_ORDER)}
Case = tuple[Path, Path, dict[str, list[tuple[str, int, dict[int, str]]]], tuple[str, dict[int, str]], list[str]]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    out: dict[str, tuple[Path, Path]] = {}
    return out


def _built(builds: dict[str, tuple[Path, Path]], tmp: pytest.TempPathFactory, name: str) -> tuple[Path, Path]:
    if name not in builds:
        folder = tmp.mktemp(f"chongqing-{name}")
        build(CASES[name][0], folder)
        builds[name] = (next(folder.rglob("*.pdf")), next(folder.rglob("*.xlsx")))
    return builds[name]


@pytest.fixture(scope="module")
def built(builds: dict[str, tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _built(builds, tmp_path_factory, "qxj")


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest, builds: dict[str, tuple[Path, Path]],
         tmp_path_factory: pytest.TempPathFactory) -> Case:
    pdf, xlsx = _built(builds, tmp_path_factory, request.param)
    _, tables, three, order = CASES[request.param]
    return pdf, xlsx, tables, three, order


def _number(v: object) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v).replace(",", ""))


def test_workbook_has_every_published_figure_in_its_table_row_and_column(case: Case) -> None:
    _, xlsx, tables, three, order = case
    book = load_workbook(xlsx, data_only=True)
    titles = [str(ws.cell(1, 1).value) for ws in book.worksheets]
    assert [t for t in titles if t in order] == order, "tables missing or out of the published order"
    sheets = {str(ws.cell(1, 1).value): ws for ws in book.worksheets}
    missing = []
    for title, rows in tables.items():
        ws = sheets[title]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for key, at, figures in rows:
            found = [r for r in grid if len(r) > at and str(r[at]) == key]
            assert found, f"{title}: no row {key}"
            for col, printed in figures.items():
                if _number(found[0][col]) != _number(printed):
                    missing.append(f"{title} {key} column {col}: {found[0][col]!r} ≠ {printed}")
    ws = sheets[three[0]]
    values = [r for r in ws.iter_rows(values_only=True) if any(isinstance(v, int | float) for v in r)]
    for col, printed in three[1].items():  # a blank cell holds 0 under a format that hides zero
        if (_number(values[0][col]) or 0) != (_number(printed) or 0):
            missing.append(f"三公 column {col}: {values[0][col]!r} ≠ {printed}")
    assert not missing, "\n".join(missing)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_prints_every_published_figure_on_its_row_in_order(case: Case) -> None:
    pdf, _, tables, three_public, order = case
    text = _pdf_text(pdf)
    assert "目　录" not in text and "目 录" not in text  # published without cover and contents
    body = text
    starts = [body.index(t) for t in order]
    assert starts == sorted(starts), "tables out of the published order"
    problems = []
    for title, rows in tables.items():
        nxt = order[order.index(title) + 1] if title != order[-1] else None
        part = body[body.index(title):body.index(nxt) if nxt else None]
        lines = part.splitlines()
        for key, _, figures in rows:
            pattern = re.compile(rf"(^|\s){re.escape(key)}(\s|$)")
            hits = [ln for ln in lines if pattern.search(ln)]
            if not hits:
                problems.append(f"{title}: no line {key}")
                continue
            line = hits[0]
            rest = line[pattern.search(line).end() - 1:]
            amounts = re.findall(r"\d[\d,]*\.\d\d", rest)
            wanted = [figures[c] for c in sorted(figures)]
            it = iter(amounts)
            if not all(any(a == w for a in it) for w in wanted):
                problems.append(f"{title} {key}: {wanted} not in {amounts}")
    three = body[body.index(three_public[0]):body.index(order[order.index(three_public[0]) + 1])]
    printed = [v for _, v in sorted(three_public[1].items()) if v]  # zeros blank, as published
    assert re.search(r"\s+".join(re.escape(v) for v in printed), three), three
    assert not problems, "\n".join(problems)


def test_empty_key_funds_table_says_why_and_zero_cells_are_blank(built: tuple[Path, Path]) -> None:
    text = _pdf_text(built[0])
    assert "主管无市级财力安排的重点专项资金，故此表无数据" in text
    book = load_workbook(built[1], data_only=True)
    ws = next(w for w in book.worksheets if w.cell(1, 1).value == "2026年部门收支总体情况表")
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "三、国有资本经营预算资金")
    assert row[1] in (None, "", 0)  # blank in the PDF (zero: "")


def test_totals_sentences_are_worded_as_published(built: tuple[Path, Path]) -> None:
    text = re.sub(r"\s+", "", _pdf_text(built[0]))
    assert ("（一）收入预算：2026年年初预算数14,770.62万元，其中：一般公共预算拨款12,672.73万元，"
            "政府性基金预算拨款579.89万元，事业收入资金388万元，其他收入资金1,130万元。"
            "收入比2025年增加2,515.39万元，主要是一般公共预算拨款增加552.5万元，政府性基金预算资金增加579.89万元，"
            "事业收入资金增加388万元，其他收入资金增加995万元。") in text
    # published 住房保障支出 56.53 (its parts make 56.52, see the table figures above)
    assert ("（二）支出预算：2026年年初预算数14,770.62万元，其中：社会保障和就业支出120.17万元，"
            "卫生健康支出40.68万元，农林水支出579.89万元，自然资源海洋气象等支出13,873.36万元，"
            "住房保障支出56.52万元，灾害防治及应急管理支出100万元；支出比2025年增加2,515.39万元，"
            "主要是基本支出增加1,252.5万元，项目支出增加1,262.89万元。") in text


def test_three_public_sentence_compares_each_item_as_published(built: tuple[Path, Path]) -> None:
    text = re.sub(r"\s+", "", _pdf_text(built[0]))
    # the publication's first words "2025年“三公”经费预算" are a slip for 2026 (its 表八)
    assert ("2026年“三公”经费预算13.85万元，比2025年减少5.45万元。"
            "其中：因公出国（境）费用0万元，比2025年减少5万元") in text
    assert "公务接待费0.3万元，与上年持平；公务用车运行维护费13.55万元，比2025年减少0.45万元" in text
    assert "公务用车购置费0万元，与上年持平。" in text
    # the publication gives no reason for the 公务用车运行维护费 decrease: none is printed
    assert "比2025年减少0.45万元；" in text
    assert "国有资本经营预算财政拨款支出" not in text


@pytest.fixture(scope="module")
def bgt(builds: dict[str, tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory) -> str:
    return _pdf_text(_built(builds, tmp_path_factory, "bgt")[0])


def test_one_statement_with_continuous_headings_and_labels_over_the_titles(case: Case) -> None:
    """No cover, no contents, no 第一部分: one title, headings 一、 to 六、 across what other
    regions print as parts, then each table with its label on a line of its own over it."""
    pdf, _, _, _, order = case
    text = _pdf_text(pdf)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert lines[0].endswith("2026年部门预算情况说明") and "第一部分" not in text
    heads = [ln for ln in lines if re.fullmatch(r"[一二三四五六]、\S{2,20}", ln)]
    assert heads == ["一、单位基本情况", "二、部门收支总体情况", "三、财政拨款情况说明", "四、“三公”经费情况说明",
                     "五、其他重要事项的情况说明", "六、专业性名词解释"]
    labels = [ln for ln in lines if re.fullmatch(r"表[一二三四五六七八九十]+", ln)]
    assert labels == [f"表{n}" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二".split()]
    for label, title in zip(labels, order, strict=True):  # the title on the next line
        assert lines[lines.index(label) + 1] == title
    assert not re.search(r"表[一二三四五六七八九十]+2026年", text)


def test_bgt_sentences_compute_the_published_figures(bgt: str) -> None:
    text = re.sub(r"\s+", "", bgt)
    # 收入 against 2025 by fund, each with the reason the data gives
    assert "收入比2025年增加2,784.38万元，其中：一般公共预算财政拨款增加2,781.9万元，主要是" in text
    assert "；事业收入增加2.48万元，主要是" in text
    assert "支出比2025年增加2,784.38万元，主要是基本支出增加362.1万元，项目支出增加2,422.28万元。" in text
    assert "一般公共预算财政拨款支出18,417.7万元，比2025年增加2,781.9万元。其中：基本支出9,018.47万元" in text
    assert "比2025年增加362.1万元，主要原因是" in text and "项目支出9,399.23万元，主要用于" in text
    assert "比2025年增加2,419.8万元" in text
    # no 政府性基金: said so, compared with last year's nothing
    assert "本部门2026年未使用政府性基金预算拨款安排的支出，与2025年持平。" in text
    assert "2026年“三公”经费预算394.49万元，比2025年减少2.48万元。" in text
    assert "运行经费1,815万元，比2025年增加21.99万元，主要原因为" in text
    assert "政府采购预算总额4,542.69万元，均为一般公共预算拨款，其中：政府采购货物预算110万元" in text
    assert "共有车辆46辆，其中机要通信用车2辆，应急保障用车15辆，其他按照规定配备的公务用车29辆。" in text
    assert "涉及一般公共预算财政拨款9,399.23万元。" in text
    assert "委托业务费涉及财政拨款资金6,265.73万元" in text
    assert "部门预算公开联系人：金梦宇联系电话：023—89016090" in text


def test_empty_gov_fund_table_drawn_with_its_note_below(bgt: str) -> None:
    part = bgt[bgt.index("2026年政府性基金预算支出情况表"):bgt.index("2026年财政拨款“三公”经费支出情况表")]
    lines = [ln.strip() for ln in part.splitlines() if ln.strip()]
    assert lines.index("合计") < next(i for i, ln in enumerate(lines) if ln.startswith("注："))
    assert "无政府性基金预算拨款安排的支出" in part


# The publications read by `verify` against the samples. What they print against their own
# figures (the 0.01 differences above) is expected; anything else is what the reader cannot yet
# read of these forms (strict: the mark comes off once it can).
PUBLISHED = Path("/work/shared/reference/published")
CONTRADICTIONS = {"qxj": ("56.53",), "bgt": ("15,958.96", "15,146.48", "17,552.65", "1,556.76")}
READER_GAPS = (
    "verify 尚不能读出重庆的绩效目标表版式（当年整体绩效目标印作一行在指标表之上、“绩效指标”向下合并，"
    "空的重点专项资金表印出整张表格）、表五两层表头，也不能对上原文分号断开的机关运行经费句")


@pytest.mark.xfail(strict=True, reason=READER_GAPS)
@pytest.mark.parametrize("name", list(CASES))
def test_publication_verifies_against_the_sample(name: str) -> None:
    from budgetreport.readback import verify

    pdf = next(PUBLISHED.glob(f"chongqing-*{'气象局' if name == 'qxj' else '办公厅'}-2026-bmys.pdf"), None)
    if pdf is None:
        pytest.skip("原文 PDF 不在本机（/work/shared/reference/published）")
    left = [str(p) for p in verify(pdf, CASES[name][0])
            if not any(f"PDF 为“{x}”" in str(p) or f"PDF 为 {x}" in str(p) for x in CONTRADICTIONS[name])]
    assert left == []
