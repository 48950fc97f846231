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
    """dd/mm/yyyy, or yyyy for a year-only date of birth ('' when missing)."""
    full = birth_date.dt.strftime("%d/%m/%Y")
    year = birth_date.dt.strftime("%Y")
    return full.where(~year_only.astype(bool), year).fillna("").astype("object")


def identity_keys(cards: pd.DataFrame) -> pd.DataFrame:
    """Normalised identity per card: columns ``identity_key`` (text) and ``person`` (int64).

    Rows that are not ``valid`` get an empty key and person -1.

    e.g. "NGUYỄN  Văn A", 23/07/2008, Nam, "Thôn 1 ,Xã Vĩnh Lương"
         -> "nguyễn văn a | 23/07/2008 | nam | thôn 1, xã vĩnh lương"
    """
    name = normalize_series(cards["full_name"], "name")
    address = normalize_series(cards["address"], "address")
    birth = birth_key(cards["birth_date"], cards["birth_year_only"])
    sex = cards["sex"].astype("object").str.lower()
    key = name + KEY_SEPARATOR + birth + KEY_SEPARATOR + sex + KEY_SEPARATOR + address
    valid = cards["valid"].to_numpy(dtype=bool)
    key = key.where(valid, "")
    codes, _ = pd.factorize(key.where(valid))
    person = np.where(valid, codes, -1).astype("int64")
    return pd.DataFrame({"identity_key": key.astype("object"), "person": person}, index=cards.index)
