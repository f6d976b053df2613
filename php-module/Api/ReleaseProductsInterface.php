<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Restores exactly the recorded statuses of quarantined products.
 *
 * @api
 */
interface ReleaseProductsInterface
{
    /**
     * Runs the use case.
     *
     * @param int $quarantineId Quarantine to release.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param string[] $skus Only these SKUs (empty: the whole quarantine).
     * @return \MagentoIr\IncidentResponse\Api\Data\ReleaseResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\NoSuchEntityException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        int $quarantineId,
        string $reason,
        ?string $incidentId = null,
        array $skus = []
    ): \MagentoIr\IncidentResponse\Api\Data\ReleaseResultInterface;
}
