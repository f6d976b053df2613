<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists order attempts the payment guard refused, oldest first after a block id (a cursor).
 *
 * @api
 */
interface GetGuardBlocksInterface
{
    /**
     * Runs the use case.
     *
     * @param int $afterId Only blocks with a greater id (0 = from the first).
     * @param int $pageSize At most this many (1-1000).
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardBlockListInterface
     * @throws \Magento\Framework\Exception\InputException
     */
    public function execute(
        int $afterId = 0,
        int $pageSize = 100
    ): \MagentoIr\IncidentResponse\Api\Data\GuardBlockListInterface;
}
