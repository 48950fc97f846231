"""Stage 2: who is who. The letter's identity is (họ tên, ngày sinh, giới tính, địa chỉ).

Two cards belong to the same person when the four fields are equal after
normalisation (:mod:`bhyt_xl.core.text`). The normalised key is kept as text
("Khóa nhận diện") so a reviewer can see why two rows matched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhyt_xl.core.text import normalize_series

KEY_SEPARATOR = " | "


def birth_key(birth_date: pd.Series, year_only: pd.Series) -> pd.Series:
    """dd/mm/yyyy, or yyyy for a year-only date of birth ('' when missing); formatted once per distinct date."""
    days = birth_date.to_numpy().astype("datetime64[D]").astype("int64")
    offset = 1_000_000  # keeps codes of dates before 1970 positive; -1 marks a missing date
    code = np.where(np.isnat(birth_date.to_numpy()), -1, (days + offset) * 2 + year_only.to_numpy(dtype=bool))
    codes, uniques = pd.factorize(code)
    u_days = (np.where(uniques < 0, offset, uniques // 2) - offset).astype("datetime64[D]")
    u_text = pd.Series(u_days).dt.strftime("%d/%m/%Y").to_numpy(dtype=object)
    u_year = pd.Series(u_days).dt.strftime("%Y").to_numpy(dtype=object)
    text = np.where(uniques % 2 == 1, u_year, u_text)
    text = np.where(uniques < 0, "", text)
    return pd.Series(text[codes], index=birth_date.index).astype("str")


def identity_keys(cards: pd.DataFrame) -> pd.DataFrame:
    """Normalised identity per card: columns ``identity_key`` (text) and ``person`` (int64).

    Rows that are not ``valid`` get an empty key and person -1.

    e.g. "NGUYỄN  Văn A", 23/07/2008, Nam, "Thôn 1 ,Xã Vĩnh Lương"
         -> "nguyễn văn a | 23/07/2008 | nam | thôn 1, xã vĩnh lương"
    """
    name = normalize_series(cards["full_name"], "name").astype("str")
    address = normalize_series(cards["address"], "address").astype("str")
    birth = birth_key(cards["birth_date"], cards["birth_year_only"])
    sex = cards["sex"].astype("str").str.lower()
    key = name + KEY_SEPARATOR + birth + KEY_SEPARATOR + sex + KEY_SEPARATOR + address
    valid = cards["valid"].to_numpy(dtype=bool)
    key = key.where(valid, "")
    codes, _ = pd.factorize(key.where(valid))
    person = np.where(valid, codes, -1).astype("int64")
    return pd.DataFrame({"identity_key": key, "person": person}, index=cards.index)
