"""The bilingual .docx request forms: the blank forms we hand out and the reader for filled ones."""
