"""Sample data for trying and testing the review.

``generate.py`` makes realistic synthetic issuance lists for Khánh Hòa
(:func:`~bhyt_xl.samples.generate.generate_cards`), the hand-made cases of
Công văn 493/BHXH-CST (:func:`~bhyt_xl.samples.generate.letter_cases`, verdicts
in ``CASES.md``) and the bundled workbook ``danh_sach_the_khanh_hoa.xlsx``
(rebuild it with ``python -m bhyt_xl.samples.generate``; never edit it by hand).
"""
