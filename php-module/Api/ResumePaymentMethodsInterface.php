<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Restores the payment/<code>/active values recorded by a suspension.
 *
 * @api
 */
interface ResumePaymentMethodsInterface
{
    /**
     * Runs the use case.
     *
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param string[] $methods Payment method codes (empty: every suspended method).
     * @return \MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        array $methods = []
    ): \MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface;
}
