<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Puts up to 10,000 orders on hold in one call, recording how each was.
 *
 * @api
 */
interface HoldOrdersInterface
{
    /**
     * Runs the use case.
     *
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string[] $statuses Order status codes to hold (1-50), e.g. pending and processing.
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param int[] $orderIds Only these orders (entity ids; empty: every order matching the rest).
     * @param string|null $createdFrom Only orders created at or after this UTC time (Y-m-d H:i:s).
     * @param string|null $createdTo Only orders created at or before this UTC time (Y-m-d H:i:s).
     * @return \MagentoIr\IncidentResponse\Api\Data\OrderHoldResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $reason,
        array $statuses,
        ?string $incidentId = null,
        array $orderIds = [],
        ?string $createdFrom = null,
        ?string $createdTo = null
    ): \MagentoIr\IncidentResponse\Api\Data\OrderHoldResultInterface;
}
