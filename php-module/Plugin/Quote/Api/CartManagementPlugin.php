<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Plugin\Quote\Api;

use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\Data\PaymentInterface;
use MagentoIr\IncidentResponse\Model\Guard\Attempt;
use MagentoIr\IncidentResponse\Model\Guard\AttemptReader;
use MagentoIr\IncidentResponse\Model\Guard\PaymentGuard;
use MagentoIr\IncidentResponse\Model\Guard\PlacementScope;
use Psr\Log\LoggerInterface;

/**
 * The payment guard's extension point: every order placement from a cart goes through
 * CartManagementInterface::placeOrder (QuoteManagement): REST and the storefront checkout
 * (payment-information for customers and guests, and PUT .../order, guests through GuestCartManagement),
 * and GraphQL's placeOrder and setPaymentMethodAndPlaceOrder (QuoteGraphQl's Cart\PlaceOrder).
 * Checked here, before Magento touches the quote; the order paths that skip placeOrder are checked by
 * OrderManagementPlugin, which lets what runs inside this one (PlacementScope) through.
 */
final class CartManagementPlugin
{
    public function __construct(
        private readonly AttemptReader $reader,
        private readonly PaymentGuard $guard,
        private readonly PlacementScope $scope,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Refuses the placement when a rule says so; counts its outcome for velocity rules.
     *
     * @param CartManagementInterface $subject
     * @param callable $proceed
     * @param int|string $cartId
     * @param PaymentInterface|null $paymentMethod
     * @return int order id
     * @throws \Magento\Framework\Exception\LocalizedException
     * @SuppressWarnings(PHPMD.UnusedFormalParameter)
     */
    public function aroundPlaceOrder(
        CartManagementInterface $subject,
        callable $proceed,
        $cartId,
        ?PaymentInterface $paymentMethod = null
    ) {
        $attempt = $this->attempt($cartId, $paymentMethod);
        if ($attempt === null) {
            return $proceed($cartId, $paymentMethod);
        }
        $this->guard->check($attempt);
        try {
            $orderId = $this->scope->run(static fn () => $proceed($cartId, $paymentMethod));
        } catch (\Throwable $exception) {
            $this->guard->record($attempt, 'failure');
            throw $exception;
        }
        $this->guard->record($attempt, 'order');
        return $orderId;
    }

    private function attempt(mixed $cartId, ?PaymentInterface $paymentMethod): ?Attempt
    {
        try {
            return $this->reader->read($cartId, $paymentMethod);
        } catch (\Throwable $exception) {
            // No such active cart: Magento refuses it itself, in its own words.
            $this->logger->info('MagentoIr payment guard skipped an order: ' . $exception->getMessage());
            return null;
        }
    }
}
