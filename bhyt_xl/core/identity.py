"""Stage 2: who is who. The letter's identity is (họ tên, ngày sinh, giới tính, địa chỉ).

Two cards belong to the same person when the four fields are equal after
normalisation (:mod:`bhyt_xl.core.text`). The normalised key is kept as text
("Khóa nhận diện") so a reviewer can see why two rows matched.

Everything works on codes: each field is reduced to one integer per row
(equal normalised values, equal codes; each distinct value is normalised and
formatted once), the four codes are packed into one integer, and the person
number is the order of first appearance of that integer. The key text is then
built once per person and spread to the person's rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bhyt_xl.core.text import normalized_arrow_codes

KEY_SEPARATOR = " | "


def _dense_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of small non-negative integers: equal values, equal codes (uniques sorted)."""
    if len(values) and int(values.max()) < 4 * len(values) + 1024:
        present = np.zeros(int(values.max()) + 1, dtype=bool)
        present[values] = True
        uniques = np.flatnonzero(present)
        return (np.cumsum(present) - 1)[values], uniques
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), uniques


def _date_texts(days: np.ndarray, year_only: np.ndarray) -> pa.Array:
    """dd/mm/yyyy (or yyyy where ``year_only``) of a few distinct ``datetime64[D]`` days (NaT: '')."""
    dates = pd.Series(days.astype("datetime64[s]"))
    years = dates.dt.year
    if not years.dropna().between(1000, 9999).all():  # outside 4-digit years, as strftime writes them
        text = np.where(year_only, dates.dt.strftime("%Y"), dates.dt.strftime("%d/%m/%Y"))
        return pa.array(np.where(dates.isna(), "", text), type=pa.large_string())

    def part(values, width):
        digits = pc.cast(pa.array(values.fillna(0).astype("int64").to_numpy()), pa.large_string())
        return pc.utf8_lpad(digits, width=width, padding="0")

    slash = pa.scalar("/", pa.large_string())
    year = part(years, 4)
    text = pc.if_else(pa.array(year_only), year,
                      pc.binary_join_element_wise(part(dates.dt.day, 2), part(dates.dt.month, 2), year, slash))
    return pc.if_else(pa.array(dates.isna().to_numpy()), pa.scalar("", pa.large_string()), text)


def _birth_codes(birth_date: pd.Series, year_only: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """``(codes, texts)``: per row a code into ``texts``, the distinct dd/mm/yyyy or yyyy texts ('' when missing)."""
    raw = birth_date.to_numpy()
    days = raw.astype("datetime64[D]").astype("int64")
    missing = np.isnat(raw)
    low = int(days[~missing].min()) if (~missing).any() else 0
    # 0: missing; then two codes a day (a full date, a year only)
    code = np.where(missing, 0, (days - low) * 2 + 1 + year_only.to_numpy(dtype=bool))
    codes, uniques = _dense_codes(code)
    u_days = np.where(uniques == 0, np.datetime64("NaT", "D"), ((uniques - 1) // 2 + low).astype("datetime64[D]"))
    return codes, _date_texts(u_days, (uniques > 0) & ((uniques - 1) % 2 == 1))


def birth_key(birth_date: pd.Series, year_only: pd.Series) -> pd.Series:
    """dd/mm/yyyy, or yyyy for a year-only date of birth ('' when missing); formatted once per distinct date."""
    codes, texts = _birth_codes(birth_date, year_only)
    return pd.Series(pd.array(texts.take(pa.array(codes)), dtype="str"), index=birth_date.index)


def _sex_codes(sex: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """``(codes, texts)``: sex in lower case per distinct value; a missing sex is a null text (last code)."""
    codes, uniques = pd.factorize(sex)
    lower = pd.Series(np.append(np.asarray(uniques, dtype=object), np.nan), dtype="object").astype("str").str.lower()
    codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
    return codes, pa.array(lower.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)


def _pack(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Several non-negative code columns -> one int64 code, equal exactly when every column is equal.

    ``parts``: (codes, number of distinct codes). When the product of the
    sizes would overflow, the codes so far are renumbered densely first.
    """
    code, size = parts[0]
    code = code.astype(np.int64, copy=False)
    for other, n in parts[1:]:
        n = max(int(n), 1)
        if size * n >= 2**62:
            code, uniques = pd.factorize(code)
            size = max(len(uniques), 1)
        code = code * n + other
        size *= n
    return code


def identity_keys(cards: pd.DataFrame) -> pd.DataFrame:
    """Normalised identity per card: columns ``identity_key`` (text) and ``person`` (int64).

    Rows that are not ``valid`` get an empty key and person -1.

    e.g. "NGUYỄN  Văn A", 23/07/2008, Nam, "Thôn 1 ,Xã Vĩnh Lương"
         -> "nguyễn văn a | 23/07/2008 | nam | thôn 1, xã vĩnh lương"
    """
    n = len(cards)
    name_codes, names = normalized_arrow_codes(cards["full_name"], "name")
    addr_codes, addresses = normalized_arrow_codes(cards["address"], "address")
    birth_codes, births = _birth_codes(cards["birth_date"], cards["birth_year_only"])
    sex_codes, sexes = _sex_codes(cards["sex"])
    valid = cards["valid"].to_numpy(dtype=bool)
    # a valid card with a missing sex has no key at all (as a missing text would give)
    no_key = valid & sexes.is_null().to_numpy(zero_copy_only=False)[sex_codes]
    keyed = np.flatnonzero(valid & ~no_key)

    packed = _pack([(name_codes[keyed], len(names)), (birth_codes[keyed], len(births)),
                    (sex_codes[keyed], len(sexes)), (addr_codes[keyed], len(addresses))])
    codes, uniques = pd.factorize(packed)
    person = np.full(n, -1, dtype=np.int64)
    person[keyed] = codes
    persons = len(uniques)

    # the key text of each person, from any one of its cards (they all have the same fields)
    first = np.zeros(persons, dtype=np.int64)
    first[codes] = keyed
    sep = pa.scalar(KEY_SEPARATOR, pa.large_string())
    text = pc.binary_join_element_wise(
        names.take(pa.array(name_codes[first])), births.take(pa.array(birth_codes[first])),
        sexes.take(pa.array(sex_codes[first])), addresses.take(pa.array(addr_codes[first])), sep)
    # rows without a person: "" for invalid cards, missing for a valid card without a key
    text = pa.concat_arrays([text, pa.array(["", None], type=pa.large_string())])
    pick = np.where(person >= 0, person, np.where(no_key, persons + 1, persons))
    key = pd.Series(pd.array(text.take(pa.array(pick)), dtype="str"), index=cards.index)
    return pd.DataFrame({"identity_key": key, "person": person}, index=cards.index)
