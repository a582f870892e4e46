// Bounds shared by the log reader and the classifier, so that both paths see the same text.

/** No kernel record is longer (printk caps a record at 1 KiB; 2 KiB in 6.x): bounds the work. */
export const MAX_RECORD_CHARS = 16 * 1024;
