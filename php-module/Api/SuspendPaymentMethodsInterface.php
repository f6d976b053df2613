<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Sets payment/<code>/active to 0 wherever it is on, recording prior values.
 *
 * @api
 */
interface SuspendPaymentMethodsInterface
{
    /**
     * Runs the use case.
     *
     * @param string[] $methods Payment method codes, e.g. checkmo.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @return \MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        array $methods,
        string $reason,
        ?string $incidentId = null
    ): \MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface;
}
