"""Letters: versioned bilingual .docx templates the legal team edits in Word, rendered with docxtpl."""
