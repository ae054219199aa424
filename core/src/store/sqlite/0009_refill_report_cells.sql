-- The report cells gain the `feedback` dimension (needs verified, by the resident's latest
-- feedback: the satisfaction rate), the `grid` dimension (needs by grid) and the `released`
-- stream (claims given up). No table
-- changes: upgrading past this version refills every store's cells from its records (as
-- version 3 first filled them).
SELECT 1;
