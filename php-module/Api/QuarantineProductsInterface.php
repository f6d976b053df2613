<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Disables up to 10,000 products in every store scope, recording their prior statuses.
 *
 * @api
 */
interface QuarantineProductsInterface
{
    /**
     * Runs the use case.
     *
     * @param string[] $skus SKUs to quarantine (1-10,000; duplicates collapsed).
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @return \MagentoIr\IncidentResponse\Api\Data\QuarantineResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        array $skus,
        string $reason,
        ?string $incidentId = null
    ): \MagentoIr\IncidentResponse\Api\Data\QuarantineResultInterface;
}
