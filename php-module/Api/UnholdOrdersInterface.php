<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Releases the orders one bulk hold put on hold, and only those.
 *
 * @api
 */
interface UnholdOrdersInterface
{
    /**
     * Runs the use case.
     *
     * @param int $holdId Hold to undo.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param int[] $orderIds Only these orders of the hold (empty: all of them).
     * @return \MagentoIr\IncidentResponse\Api\Data\OrderUnholdResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\NoSuchEntityException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        int $holdId,
        string $reason,
        ?string $incidentId = null,
        array $orderIds = []
    ): \MagentoIr\IncidentResponse\Api\Data\OrderUnholdResultInterface;
}
