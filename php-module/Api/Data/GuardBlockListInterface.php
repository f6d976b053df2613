<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * A page of blocked order attempts, oldest first after a cursor.
 */
interface GuardBlockListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_LAST_BLOCK_ID = 'last_block_id';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardBlockInterface[]
     */
    public function getItems(): array;

    /**
     * The newest block id on this page (pass it as afterId for the next one), or the afterId given.
     *
     * @return int
     */
    public function getLastBlockId(): int;
}
