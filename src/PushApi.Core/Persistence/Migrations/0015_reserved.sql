-- Placeholder so that 0016 applies on this branch (the runner wants 1, 2, 3…): the waves work owns 0015
-- and replaces this file when the branches merge.
SELECT 1;
