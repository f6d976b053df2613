<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\CodeManifestInterface;

/**
 * One page of the code manifest.
 */
final class CodeManifest implements CodeManifestInterface
{
    /**
     * @param CodeFile[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly ?string $nextCursor,
        private readonly bool $complete
    ) {
    }

    /**
     * @param array<string, mixed> $data the wire shape
     */
    public static function fromArray(array $data): self
    {
        return new self(
            array_map(
                static fn (array $file): CodeFile => new CodeFile(
                    (string) $file['path'],
                    (int) $file['size'],
                    (int) $file['mtime'],
                    (int) $file['ctime'],
                    $file['sha256'] ?? null
                ),
                $data[self::KEY_ITEMS]
            ),
            $data[self::KEY_NEXT_CURSOR] ?? null,
            (bool) $data[self::KEY_COMPLETE]
        );
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\CodeFileInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @return string|null
     */
    public function getNextCursor(): ?string
    {
        return $this->nextCursor;
    }

    /**
     * @return bool
     */
    public function isComplete(): bool
    {
        return $this->complete;
    }
}
