<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One page of the code manifest, in byte order of path.
 */
interface CodeManifestInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_NEXT_CURSOR = 'next_cursor';
    public const KEY_COMPLETE = 'complete';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\CodeFileInterface[]
     */
    public function getItems(): array;

    /**
     * Pass as after for the next page; absent when complete.
     *
     * @return string|null
     */
    public function getNextCursor(): ?string;

    /**
     * @return bool
     */
    public function isComplete(): bool;
}
