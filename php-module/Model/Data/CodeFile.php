<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\CodeFileInterface;

/**
 * One file of the code manifest.
 */
final class CodeFile implements CodeFileInterface
{
    public function __construct(
        private readonly string $path,
        private readonly int $size,
        private readonly int $mtime,
        private readonly int $ctime,
        private readonly ?string $sha256
    ) {
    }

    /**
     * @return string
     */
    public function getPath(): string
    {
        return $this->path;
    }

    /**
     * @return int
     */
    public function getSize(): int
    {
        return $this->size;
    }

    /**
     * @return int
     */
    public function getMtime(): int
    {
        return $this->mtime;
    }

    /**
     * @return int
     */
    public function getCtime(): int
    {
        return $this->ctime;
    }

    /**
     * @return string|null
     */
    public function getSha256(): ?string
    {
        return $this->sha256;
    }
}
