<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One file of the store's code in the manifest.
 */
interface CodeFileInterface
{
    public const KEY_PATH = 'path';
    public const KEY_SIZE = 'size';
    public const KEY_MTIME = 'mtime';
    public const KEY_CTIME = 'ctime';
    public const KEY_SHA256 = 'sha256';

    /**
     * Relative to the Magento root, "/"-separated.
     *
     * @return string
     */
    public function getPath(): string;

    /**
     * @return int
     */
    public function getSize(): int;

    /**
     * @return int
     */
    public function getMtime(): int;

    /**
     * Inode change time: unlike mtime, touch cannot set it back.
     *
     * @return int
     */
    public function getCtime(): int;

    /**
     * Absent when neither mtime nor ctime is at or after changedSince (the file was not read).
     *
     * @return string|null
     */
    public function getSha256(): ?string;
}
