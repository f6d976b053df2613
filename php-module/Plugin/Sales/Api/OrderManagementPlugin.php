<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Plugin\Sales\Api;

use Magento\Framework\App\Area;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\OrderManagementInterface;
use MagentoIr\IncidentResponse\Model\Guard\Attempt;
use MagentoIr\IncidentResponse\Model\Guard\AttemptReader;
use MagentoIr\IncidentResponse\Model\Guard\PaymentGuard;
use MagentoIr\IncidentResponse\Model\Guard\PlacementScope;
use Psr\Log\LoggerInterface;

/**
 * The payment guard on the order paths that never call CartManagementInterface::placeOrder but all end
 * in OrderManagementInterface::place: PayPal Express and Payment Services' smart buttons
 * (QuoteManagement::submit) and multishipping (PlaceOrderDefault places one order per address).
 *
 * A placement placeOrder already checked passes straight through (PlacementScope): checked and counted
 * once. Orders created in the admin (adminhtml: Sales > Orders > Create, also through submit) are not
 * checked: staff place them for customers on the phone, from the office's address, and the rules
 * describe shoppers' traffic; a rogue admin is the admin-anomaly detector's business.
 */
final class OrderManagementPlugin
{
    public function __construct(
        private readonly AttemptReader $reader,
        private readonly PaymentGuard $guard,
        private readonly PlacementScope $scope,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Refuses the order when a rule says so; counts its outcome for velocity rules.
     *
     * @param OrderManagementInterface $subject
     * @param callable $proceed
     * @param OrderInterface $order
     * @return OrderInterface
     * @throws \Magento\Framework\Exception\LocalizedException
     * @SuppressWarnings(PHPMD.UnusedFormalParameter)
     */
    public function aroundPlace(OrderManagementInterface $subject, callable $proceed, OrderInterface $order)
    {
        $attempt = $this->scope->checked() ? null : $this->attempt($order);
        if ($attempt === null) {
            return $proceed($order);
        }
        $this->guard->check($attempt);
        try {
            $placed = $this->scope->run(static fn () => $proceed($order));
        } catch (\Throwable $exception) {
            $this->guard->record($attempt, 'failure');
            throw $exception;
        }
        $this->guard->record($attempt, 'order');
        return $placed;
    }

    private function attempt(OrderInterface $order): ?Attempt
    {
        try {
            $attempt = $this->reader->fromOrder($order);
        } catch (\Throwable $exception) {
            $this->logger->critical('MagentoIr payment guard could not read an order: ' . $exception->getMessage());
            return null;
        }
        return $attempt->channel === Area::AREA_ADMINHTML ? null : $attempt;
    }
}
