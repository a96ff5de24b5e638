"""Small hand-coded dyads shared by tests (coded-streams CSV: onset, offset in s, partner, code).

``STILL_FACE_ICEP_R``: a 30-s Still-Face procedure coded with ICEP-R codes. Matched 0-3, 6-10 and
25-30 s (12 s); mismatched 3-6, 14-20 and 20-25 s (14 s); neutral 10-14 s (caregiver not
infant-focused, infant on an object). Per phase, matching of matched + mismatched time: FF 7/10,
SF 0/6, RE 5/10.
"""

STILL_FACE_ICEP_R = """onset,offset,partner,code
0,10,episode,FF
10,20,episode,SF
20,30,episode,RE
0,10,caregiver,positive
0,3,child,positive
3,6,child,negative
6,10,child,positive
10,20,caregiver,no_infant_focus
10,14,child,object
14,20,child,negative
20,30,caregiver,positive
20,25,child,negative
25,30,child,positive
"""
