<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists the products in active quarantines with their recorded prior statuses.
 *
 * @api
 */
interface GetQuarantinedProductsInterface
{
    /**
     * Runs the use case.
     *
     * @param int $quarantineId Only this quarantine (0: every active quarantine).
     * @return \MagentoIr\IncidentResponse\Api\Data\QuarantineListInterface
     */
    public function execute(
        int $quarantineId = 0
    ): \MagentoIr\IncidentResponse\Api\Data\QuarantineListInterface;
}
